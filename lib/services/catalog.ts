// The service types the admin offers, in menu order.
export const SERVICES = [
  { slug: "system-users", title: "System users", description: "Unix accounts on servers (useradd / usermod / userdel)." },
] as const;
