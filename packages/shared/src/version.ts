/** The fleet's protocol and release version, reported by workers on register. */
export const FLEET_VERSION = '0.1.0';
