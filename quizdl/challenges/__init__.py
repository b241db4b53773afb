"""Build-this-model challenges.

- ``spec``: the declarative ``expect`` spec of a challenge card (pydantic, data only).
- ``description``: the plain description of a model that the worker reports.
- ``worker``: the child process that runs the learner's code — the only module
  of quizdl that imports TensorFlow/Keras, and only ever in that child.
- ``grader``: compares a description with a spec, rule by rule.
- ``verdict``: the result (``Verdict`` of ``Check``s) the CLI and TUI show.
- ``runner``: ``Checker``, which runs checks in fresh child processes with
  limits and keeps one warm spare; thread-safe.

Everything but ``worker`` is plain Python, so the app and CLI stay fast.
"""
