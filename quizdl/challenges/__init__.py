"""Build-this-model challenges.

- ``spec``: the declarative ``expect`` spec of a challenge card (pydantic, data only).
- ``description``: the plain description of a model that the worker reports.
- ``worker``: the child process that runs the learner's code — the only module
  of quizdl that imports TensorFlow/Keras, and only ever in that child.
- ``grader``: compares a description with a spec, rule by rule.
- ``verdict``: the result (``Verdict`` of ``Check``s) the CLI and TUI show.
- ``hints``: the usual Keras mistakes behind an error, in a learner's terms.
- ``lint``: contradictions a spec shows without running anything.
- ``runner``: ``Checker``, which runs checks in fresh child processes with
  limits and keeps warm spares; thread-safe, cancellable.
- ``supervisor``: the child subreaper each worker runs under.
- ``sandbox``: Landlock, resource limits and process-tree cleanup for children.

Only ``worker`` imports Keras, and only in a child process, so the app and CLI
stay fast.
"""
