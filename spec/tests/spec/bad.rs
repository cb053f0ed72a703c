//! Bad specs: each error names file, line, column, spec path, what is
//! wrong and a fix.
