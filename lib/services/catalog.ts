// The service types the admin offers, in menu order.
export const SERVICES = [
  { slug: "system-users", title: "System users", description: "Unix accounts on servers (useradd / usermod / userdel)." },
  { slug: "websites", title: "Websites", description: "nginx server blocks, one per site, reloaded once per change." },
] as const;
