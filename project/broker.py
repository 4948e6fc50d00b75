"""kombu's file-system transport, with messages written atomically.

The stock transport creates a message file and then writes into it, and a consumer that
lists the folder in between reads an empty or partial file: the worker then dies with a
JSONDecodeError. Here a message is written to a temporary name that consumers ignore and
renamed into place, which is atomic on one file system.
"""

import os
import uuid
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: dict, **kwargs: object) -> None:
        """Put `payload` onto `queue`: write to `<uuid>.partial`, then rename to the message name."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final_path = os.path.join(self.data_folder_out, name)
        # Consumers take only files named `*.<queue>.msg`, so they skip this one until the rename.
        partial_path = os.path.join(self.data_folder_out, f"{uuid.uuid4().hex}.partial")
        try:
            with open(partial_path, "wb") as partial:
                partial.write(str_to_bytes(dumps(payload)))
            os.replace(partial_path, final_path)
        except OSError as error:
            raise filesystem.ChannelError(f"Cannot add file {final_path!r} to directory") from error


class Transport(filesystem.Transport):
    Channel = Channel
