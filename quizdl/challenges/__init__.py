"""Build-this-model challenges.

Only ``quizdl.challenges.worker`` imports TensorFlow/Keras, and it only ever
runs in a child process. Everything else here (spec, grading, the process
runner) is plain Python so the app and CLI stay fast.
"""
