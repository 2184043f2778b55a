import type { Metadata } from "next";
import { db } from "@/lib/db";
import { fetchUsers } from "@/lib/data/users";
import { requireUser } from "@/lib/session";
import { ROLES } from "@/lib/roles";
import { PageHeader, formatDate } from "@/app/ui/page-header";
import { ActionButton } from "@/app/ui/confirm-button";
import { PasswordForm, UserForm, RoleSelect } from "./user-form";
import { changeRole, createUser, deleteUser, endUserSessions, setPassword } from "./actions";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const me = await requireUser("admin");
  const users = await fetchUsers(db);
  return (
    <>
      <PageHeader title="Users" />
      <table className="table mb-6">
        <thead>
          <tr><th>E-mail</th><th>Name</th><th>Role</th><th>Password</th><th>Since</th><th /></tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>{u.email}</td>
              <td>{u.name}</td>
              <td><RoleSelect action={changeRole} id={u.id} role={u.role} roles={[...ROLES]} /></td>
              <td><PasswordForm action={setPassword} id={u.id} email={u.email} /></td>
              <td>{formatDate(u.createdAt)}</td>
              <td className="space-x-2 whitespace-nowrap text-right">
                <ActionButton
                  action={endUserSessions}
                  fields={{ id: u.id }}
                  label="Sign out everywhere"
                  className="btn-secondary"
                  confirm={`End every session of ${u.email}?${u.id === me.id ? " Including this one." : ""}`}
                />
                {u.id !== me.id && <ActionButton action={deleteUser} fields={{ id: u.id }} label="Delete" className="btn-secondary" confirm={`Delete ${u.email}?`} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 className="mb-2 text-base font-semibold">Add user</h2>
      <UserForm action={createUser} />
    </>
  );
}
