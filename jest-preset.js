// Jest finds a preset by package name only through this file name
// (jest-config's PRESET_NAME).
module.exports = require('./jest.preset.js');
