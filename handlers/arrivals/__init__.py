"""New arrivals: what the library has received. Today only its main-menu entry, which says
how the library announces them."""
