/**
 * Well-known credentials of the simulator's default account. They are NOT secrets: they only open the
 * local venue simulators (sim mode and tests). The simulator registers them at start, and in sim mode the
 * product uses them when no keys are configured. Real keys never default to these.
 */
export const SIM_ACCOUNT = 'main';

export const SIM_CREDENTIALS = {
  /** Legacy AsterDex V1 (HMAC-SHA256) key pair. */
  asterHmac: {
    apiKey: '0d36dae53d1d6497740399e5cb24d4ce2a888548a0d63e21faff8425a40905ca',
    secret: '8d8c3e41fb2ce5e2ee9e57a772f0ee8f33cac6c278fae896d09dba31eb599784',
  },
  /** AsterDex V3 (EIP-712): main wallet address (`user`), API wallet (`signer`) and its private key. */
  asterV3: {
    user: '0x957348E71C83137D67Bf5D4BeB6A063df8A24Bb9',
    signer: '0xc27E1c2C04eeb310AEBd2c506dd78D85c3eF3b4A',
    signerPrivateKey: '0x4b80377e9b5657d9c2d83dca67990e7072e0201ff19989cc464d6dffe6b91e53',
  },
  /** Backpack ED25519: base64 public key (X-API-Key) and base64 32-byte seed (secret). */
  backpack: {
    apiKey: 'eV88I83vDEMZGUwhuviYs8ggWbfOltFUF79mcnqsjL0=',
    secret: '+oFHsCuzGLDdZoqsztHV6DedCjtp8zGZoTMKttAeeZI=',
  },
} as const;
