require('../lib/events-case')('emitter 6');
