"""Reference requests: the library's virtual reference desk. ``reader`` is what readers
ask and follow up; ``staff`` is the staff chat's side of the same tickets."""
