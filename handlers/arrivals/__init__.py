"""New arrivals: readers browse and search what the library has received; staff import
records (files sent to the staff chat) and add single arrivals by hand."""
