"""The reader side of the virtual reference desk: kinds of request and their forms,
submission with deadlines, «My requests», follow-ups, cancelling and rating."""
