// Throws while loading, as a misconfigured function does.
class ConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ConfigError';
  }
}
throw new ConfigError('the configuration could not be loaded');
