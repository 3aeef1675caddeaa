require('../lib/events-case')('emitter 2');
