import { ConfigError, loadConfig, serviceEnv, strategyFor } from '../src';

describe('choosing the write strategy', () => {
  it('asks the server unless MONGODB_WRITE_STRATEGY says otherwise, and refuses anything else', () => {
    expect(loadConfig(serviceEnv, {}).MONGODB_WRITE_STRATEGY).toBe('auto');
    expect(loadConfig(serviceEnv, { MONGODB_WRITE_STRATEGY: 'claimed' }).MONGODB_WRITE_STRATEGY).toBe(
      'claimed',
    );
    expect(() => loadConfig(serviceEnv, { MONGODB_WRITE_STRATEGY: 'optimistic' })).toThrow(ConfigError);
    expect(() => loadConfig(serviceEnv, { MONGODB_WRITE_STRATEGY: 'optimistic' })).toThrow(
      /MONGODB_WRITE_STRATEGY/,
    );
  });

  it('trusts only MongoDB itself with conditional updates', () => {
    expect(strategyFor({ product: 'MongoDB', version: '7.0.14' })).toBe('atomic');
    expect(strategyFor({ product: 'FerretDB', version: 'v1.24.0' })).toBe('claimed');
  });
});
