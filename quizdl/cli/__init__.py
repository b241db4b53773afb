"""The command-line front: thin commands over the study service."""
