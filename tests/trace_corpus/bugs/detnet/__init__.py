"""A small detector split across files; the neck is wired for the wrong backbone width."""
