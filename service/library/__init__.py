"""The documents a service holds and the work on them: the catalog, jobs, the Redis queue."""
