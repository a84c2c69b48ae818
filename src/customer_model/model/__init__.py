"""The domain model: customers, the people around them, feedback, personas and segments.

This is the bottom layer.  Its modules hold values (frozen attrs classes and
enums) and the checks that keep them valid; they import nothing from the
rules, the wire formats or the edges above them.  Most names are also
importable from :mod:`customer_model` itself.
"""
