"""Batch experiments over ``sim.run`` (sweeps, sensitivity analysis): see issue 3."""
