"""Audio, storage and web for yomiage; builds on simplify, never the reverse."""
