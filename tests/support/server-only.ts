// Stands in for the `server-only` package in unit tests: outside Next.js its default export throws,
// and the readers of lib/data that tests call take their database client as an argument anyway.
export {};
