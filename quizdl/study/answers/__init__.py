"""How a typed answer is compared with a card's accepted answers.

Pure functions over strings, split by concern: ``text`` normalises characters
and numbers, ``code`` compares Python/Keras code and formulas by syntax tree,
``distance`` measures typos, ``blanks`` combines them into one verdict per
cloze blank. ``quizdl.study.answer_check`` is the front the review uses.
"""
