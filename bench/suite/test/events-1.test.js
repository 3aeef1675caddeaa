require('../lib/events-case')('emitter 1');
