"""The value types every room shares: Reply and Option (an answer, channel-neutral), Session (a
user's short conversation memory), Entities (what a message mentions) and the handlers' Context.

At the bottom of the house: the runtime (`bot`) and the domain (`handlers`) both import these,
and they import nothing of ours but the knowledge's types."""
