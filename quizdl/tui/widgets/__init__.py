"""Widgets shared by the screens; they render plain values and post messages up."""
