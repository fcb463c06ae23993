// Buffer comes from @types/node in an application; this repository does not depend on it.
interface Buffer extends Uint8Array {}
