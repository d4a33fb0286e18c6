"""The bv and nib command-line interfaces."""
