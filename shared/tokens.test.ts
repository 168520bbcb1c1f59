import { describe, expect, it } from 'vitest';
import { constantTimeEqual, tokenV1, tokenV2, tokenVersion, verifyToken } from './tokens.ts';

const secret = 'reeva9aijo1Ooj9w';
const search = '?height=110&width=130&x=200&y=230&input=files%2Fgrid-toastybob.jpg';

describe('tokens (SPEC §3.3 worked example)', () => {
  it('computes the v1 MD5 token of the original imgflo', () => {
    expect(tokenV1(secret, 'crop', search)).toBe('45fffba6e0a6f3dfc657e4f4e15ea597');
  });
  it('computes the v2 HMAC-SHA256 token', async () => {
    expect(await tokenV2(secret, 'crop', search)).toBe('xiRd6fQZfgiFuUnjzdHElVBTR0IEKlecXYlgOXRm4rE');
  });
  it('tells the two forms apart by their shape', () => {
    expect(tokenVersion('45fffba6e0a6f3dfc657e4f4e15ea597')).toBe('v1');
    expect(tokenVersion('xiRd6fQZfgiFuUnjzdHElVBTR0IEKlecXYlgOXRm4rE')).toBe('v2');
    expect(tokenVersion('nope')).toBeNull();
  });
  it('accepts a token made with any of several secrets (rotation)', async () => {
    const t = await tokenV2(secret, 'crop', search);
    expect(await verifyToken(t, ['old-secret', secret], 'crop', search, { legacy: true })).toBe(true);
  });
  it('refuses a token for another secret, another query or another graphspec', async () => {
    const t = await tokenV2(secret, 'crop', search);
    expect(await verifyToken(t, ['other'], 'crop', search, { legacy: true })).toBe(false);
    expect(await verifyToken(t, [secret], 'crop', search + '&x=1', { legacy: true })).toBe(false);
    expect(await verifyToken(t, [secret], 'crop.png', search, { legacy: true })).toBe(false);
  });
  it('refuses v1 tokens when legacy tokens are off', async () => {
    const t = tokenV1(secret, 'crop', search);
    expect(await verifyToken(t, [secret], 'crop', search, { legacy: true })).toBe(true);
    expect(await verifyToken(t, [secret], 'crop', search, { legacy: false })).toBe(false);
  });
  it('compares strings exactly', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
