pnp unplugged
