require('../lib/events-case')('emitter 5');
