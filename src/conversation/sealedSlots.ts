import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';

/** Secret answers as kept between turns: which slots they are (not secret), and their values encrypted. */
export interface SealedSlots {
  slots: string[];
  box: string;
}

/**
 * Encrypts a form's secret answers while they wait between two turns (AES-256-GCM, bound to the conversation),
 * so the stored state never holds them in clear. The key comes from STATE_ENCRYPTION_KEY; without it a random
 * one for this process, which another instance or a restart cannot read: the bot then asks for them again.
 */
export class SlotSeal {
  private readonly key: Buffer;

  constructor(secret?: string) {
    this.key = secret
      ? Buffer.from(hkdfSync('sha256', secret, 'helpdesk-state', 'secret answers', 32))
      : randomBytes(32);
  }

  seal(values: Record<string, string>, conversation: string): SealedSlots {
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, this.key, iv).setAAD(Buffer.from(conversation));
    const encrypted = Buffer.concat([cipher.update(JSON.stringify(values), 'utf8'), cipher.final()]);
    const box = [VERSION, iv, encrypted, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
    return { slots: Object.keys(values), box };
  }

  /** The answers, or undefined when they cannot be read here (another key, another conversation, tampered). */
  unseal(sealed: SealedSlots, conversation: string): Record<string, string> | undefined {
    const [version, iv, encrypted, tag] = sealed.box.split('.');
    if (version !== VERSION || !iv || encrypted === undefined || !tag) return undefined;
    try {
      // A tag of exactly 16 bytes: Node accepts shorter ones unless told, and a short tag is easier to forge.
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(iv, 'base64url'), { authTagLength: 16 })
        .setAAD(Buffer.from(conversation))
        .setAuthTag(Buffer.from(tag, 'base64url'));
      const text = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64url')), decipher.final()]);
      const values = JSON.parse(text.toString('utf8')) as unknown;
      if (!values || typeof values !== 'object') return undefined;
      const entries = Object.entries(values).filter(([slot]) => sealed.slots.includes(slot));
      return entries.every(([, value]) => typeof value === 'string')
        ? (Object.fromEntries(entries) as Record<string, string>)
        : undefined;
    } catch {
      return undefined;
    }
  }
}

export function isSealedSlots(value: unknown): value is SealedSlots {
  if (!value || typeof value !== 'object') return false;
  const sealed = value as Record<string, unknown>;
  return (
    typeof sealed.box === 'string' &&
    Array.isArray(sealed.slots) &&
    sealed.slots.every((slot) => typeof slot === 'string')
  );
}
