require('../lib/events-case')('emitter 3');
