"""One module per screen; the app imports each when it is first opened."""
