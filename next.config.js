// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native or optional-native modules stay outside the server bundle.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "ssh2", "pg", "@prisma/adapter-pg"],
  poweredByHeader: false,
  typedRoutes: false,
};
module.exports = nextConfig;
