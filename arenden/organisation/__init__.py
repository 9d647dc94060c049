"""Who: organ, enheter, personer, and the role names of the domain."""
