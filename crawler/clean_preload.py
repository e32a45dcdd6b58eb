"""Imported once by the forkserver of ``cleancrawl clean``'s workers, before it forks them.

Each worker loads its language backend and junk rules when it starts (0.55 CPU s); the
defaults loaded here, in the process the workers are forked from, are theirs already.
A run with another backend or junk file loads its own in each worker, as before.
"""

from cleaning.junk import DEFAULT_JUNK_FILE, load_junk_rules
from cleaning.language import DEFAULT_BACKEND, load_backend

load_backend(DEFAULT_BACKEND)
load_junk_rules(DEFAULT_JUNK_FILE)
