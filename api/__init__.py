"""Transport: the Starlette app, the Strawberry schema, resolvers, loaders and the CLI."""
