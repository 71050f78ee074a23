//! Charts, one per file, generic over the plotters backend.
