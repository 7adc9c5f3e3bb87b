"""What a build makes and where it lives: layout, store, the build, its read model, books, downloads, feeds."""
