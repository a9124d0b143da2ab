Console.WriteLine("klaxon");
