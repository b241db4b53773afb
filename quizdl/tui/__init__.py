"""The Textual front of quizdl: home, review, challenges, stats, browse, import.

Screens are imported when they are opened, not at start-up, so the first card
is drawn quickly; nothing here imports TensorFlow (challenges are checked in a
child process).
"""
