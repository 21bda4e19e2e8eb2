"""One section of the settings per feature; core/config.py combines them."""
