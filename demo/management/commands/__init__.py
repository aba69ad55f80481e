"""``load_demo_data``: the demo accounts, answers and households of `make run`."""
