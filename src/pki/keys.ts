// RSA key pairs from a small per-process pool: key generation dominates the cost of certificates and servers.
import { generateKeyPairSync } from 'node:crypto';

/** An RSA key pair as PEM (public: SPKI, private: PKCS#8). */
export interface RsaKeyPair {
  publicPem: string;
  privatePem: string;
}

const POOL_SIZE = 6;

/** Generated keys per modulus size, handed out round-robin. */
const pools = new Map<number, { keys: RsaKeyPair[]; next: number }>();

/**
 * A key of `bits` bits from the pool: the first POOL_SIZE calls generate, later ones reuse round-robin, so
 * consecutive calls always return different keys (an issuer never shares its subject's key). Keys live in memory only.
 */
export function pooledRsaKey(bits = 2048): RsaKeyPair {
  let pool = pools.get(bits);
  if (!pool) pools.set(bits, (pool = { keys: [], next: 0 }));
  if (pool.keys.length < POOL_SIZE) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    const key = {
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    pool.keys.push(key);
    return key;
  }
  const key = pool.keys[pool.next % POOL_SIZE] as RsaKeyPair;
  pool.next++;
  return key;
}
