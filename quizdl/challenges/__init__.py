"""Build-this-model challenges.

- ``spec``: the declarative ``expect`` spec of a challenge card (pydantic, data only).
- ``description``: the plain description of a model that the worker reports.
- ``worker``: the child process that runs the learner's code — the only module
  of quizdl that imports TensorFlow/Keras, and only ever in that child.
- ``grader``: compares a description with a spec, rule by rule.
- ``verdict``: the result (``Verdict`` of ``Check``s) the CLI and TUI show.
- ``hints``: the usual Keras mistakes behind an error, in a learner's terms.
- ``lint``: contradictions a spec shows without running anything.
- ``runner``: ``Checker``, which runs each learner's code in a fresh builder
  process with limits, has it described by a long-lived describer (which never
  runs learner code), and keeps both warm; thread-safe, cancellable.
- ``supervisor``: the child subreaper each worker runs under.
- ``framing``: length-prefixed messages for the long-lived describer.
- ``verify``: is a challenge sound (solution passes, starter fails, spec
  consistent); what ``quizdl challenge verify`` prints.
- ``sandbox``: Landlock, resource limits and process-tree cleanup for children.

Only ``worker`` imports Keras, and only in a child process, so the app and CLI
stay fast.
"""
