"""quizdl: daily deep-learning interview practice in the terminal.

Importing this package must stay cheap and must never pull in TensorFlow or
Keras: only ``quizdl.challenges.worker`` (run in a child process) does that.
"""

__version__ = "0.1.0"
