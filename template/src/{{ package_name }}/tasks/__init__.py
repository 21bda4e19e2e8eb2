"""Background work: plain task functions, run once the response has been sent."""
