"""Delegation: the nämnd's delegationsordning and the beslut taken outside its meetings."""
