"""Storage backends behind one interface (``base.Store``); LMDB is the first."""
