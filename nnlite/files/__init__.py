"""Files: every file format nnlite reads and writes (NumPy ``.npz`` archives with JSON, never a
pickle), and the reader of the book's own pickles."""
